#!/usr/bin/env node
// Validates Kubernetes manifests (a multi-document YAML stream on stdin, e.g. `kubectl kustomize`'s output) against
// the Kubernetes API's schemas as kubernetes-models ships them: each object by its apiVersion and kind, an unknown
// kind being an error. Prints one line per object; exits 1 if any is invalid.
import { parseAllDocuments } from "yaml";

const input = await new Promise((resolve, reject) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
  process.stdin.on("error", reject);
});

let failed = 0;
let objects = 0;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length > 0) {
    console.error(`not YAML: ${document.errors.map((error) => error.message).join("; ")}`);
    failed++;
    continue;
  }
  const object = document.toJS();
  if (object == null) {
    continue;
  }
  objects++;
  const name = `${object.kind ?? "?"} ${object.metadata?.name ?? "?"}`;
  // "apps/v1" -> kubernetes-models/apps/v1/Deployment; "v1" (the core group) -> kubernetes-models/v1/Service.
  const module = `kubernetes-models/${object.apiVersion}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== "function") {
    console.error(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`valid: ${name} (${object.apiVersion})`);
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    failed++;
  }
}
if (objects === 0) {
  console.error("no Kubernetes objects on stdin");
  failed++;
}
process.exit(failed > 0 ? 1 : 0);
