import "reflect-metadata";
import { isIP } from "node:net";
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * Cluster PKI: one CA per cluster (ECDSA P-256), the API server's serving
 * certificate and client certificates signed by it. Keys leave this module
 * as PKCS#8 PEM only to be encrypted at rest by the caller.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

const serial = () => {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive
  return b.toString("hex");
};

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error("not a PEM private key");
  return webcrypto.subtle.importKey("pkcs8", der, ALG, true, ["sign"]);
}

/** RFC 4514 value escaping for the few characters an email or name may carry. */
const rdn = (v: string) => v.replace(/([,+"\\<>;=#])/g, "\\$1");

export async function createCa(commonName: string, validYears = 10, now = new Date()): Promise<KeyPairPem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${rdn(commonName)}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + validYears * 365 * 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey) };
}

export interface IssueOptions {
  ca: KeyPairPem;
  commonName: string;
  organizations?: string[];
  usage: "server" | "client";
  /** DNS names and IP addresses (server certificates). */
  altNames?: string[];
  validityMs: number;
  now?: Date;
}

export async function issueCertificate(o: IssueOptions): Promise<KeyPairPem & { notAfter: Date }> {
  const now = o.now ?? new Date();
  const caCert = new x509.X509Certificate(o.ca.certPem);
  const caKey = await importKey(o.ca.keyPem);
  const keys = await newKeys();
  const subject = [...(o.organizations ?? []).map((org) => `O=${rdn(org)}`), `CN=${rdn(o.commonName)}`].join(
    ", ",
  );
  const notAfter = new Date(now.getTime() + o.validityMs);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [o.usage === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (o.altNames?.length)
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        o.altNames.map((n) =>
          isIP(n) ? { type: "ip" as const, value: n } : { type: "dns" as const, value: n },
        ),
      ),
    );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions,
  });
  return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey), notAfter };
}

/** SANs of a cluster's API server: its addresses plus the in-cluster names. */
export function apiServerAltNames(addresses: string[], firstServiceIp: string | null): string[] {
  return [
    ...new Set([
      ...addresses,
      ...(firstServiceIp ? [firstServiceIp] : []),
      "127.0.0.1",
      "localhost",
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
    ]),
  ];
}

/** The service-account signing key pair kubeadm expects as sa.key / sa.pub (ES256 tokens). */
export async function createServiceAccountKey(): Promise<{ publicKeyPem: string; keyPem: string }> {
  const keys = await newKeys();
  const spki = await webcrypto.subtle.exportKey("spki", keys.publicKey);
  return {
    publicKeyPem: x509.PemConverter.encode(spki, "PUBLIC KEY"),
    keyPem: await keyPem(keys.privateKey),
  };
}
