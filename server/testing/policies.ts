/** A valid custom ConstraintTemplate, as a user would upload it (tests and E2E). */
export const CUSTOM_TEMPLATE = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8srequiredannotations
  annotations:
    description: Requires annotations on objects.
spec:
  crd:
    spec:
      names:
        kind: K8sRequiredAnnotations
      validation:
        openAPIV3Schema:
          type: object
          properties:
            annotations:
              type: array
              items:
                type: string
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredannotations
        violation[{"msg": msg}] {
          need := input.parameters.annotations[_]
          not input.review.object.metadata.annotations[need]
          msg := sprintf("Missing annotation %v", [need])
        }
`;
