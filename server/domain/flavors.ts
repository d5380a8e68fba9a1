/**
 * What a node leaves for workloads after Kubernetes' reserved resources,
 * with OVHcloud's published formulas: CPU 15 % of one core + 0.5 % of all
 * cores; memory 1590 MB; storage log10(GB)·10 GB + 10 % of the disk.
 */
export function allocatable(
  f: { vcpus: number; ramGb: number },
  diskGb: number,
): { cpu: number; memoryGb: number; storageGb: number } {
  const cpu = f.vcpus - (0.15 + 0.005 * f.vcpus);
  const memoryGb = f.ramGb - 1590 / 1024;
  const storageGb = diskGb - (Math.log10(diskGb) * 10 + diskGb * 0.1);
  return {
    cpu: Math.round(cpu * 100) / 100,
    memoryGb: Math.round(memoryGb * 100) / 100,
    storageGb: Math.max(0, Math.round(storageGb * 10) / 10),
  };
}
