"""Validates rendered Kubernetes manifests offline, strictly, against one Kubernetes version.

Run by temporal/provision/kube-schema.ts with the venv's python, where kubernetes-validate (which
bundles the Kubernetes JSON schemas) and its PyYAML/jsonschema are installed. Why not its CLI: the
CLI only warns, exit 0, for a kind it has no schema for, so a custom resource would pass unread.
Here a document of an unknown kind is an error, and each CRD named with --crd validates its kind
against the CRD's openAPIV3Schema, made strict the way the API server's strict field validation
is (an unknown field is an error unless the schema preserves unknown fields).

usage: kube-validate.py --kubernetes-version 1.33 [--crd crd.yaml ...] --out result.json manifests.yaml
The result: {"documents": [parsed documents], "results": [{apiVersion, kind, name, schema, error}]}.
"""

import argparse
import json
import sys

import jsonschema
import yaml
from kubernetes_validate import utils
from referencing import Registry, Resource

DEFS_ID = "https://kubernetes.io/api/_definitions.json"
OBJECT_META = "/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def schema_version(desired):
    """The newest bundled schema version not newer than the desired one (as kubernetes-validate picks it)."""
    want = tuple(int(p) for p in utils.major_minor(desired).split("."))
    fits = [v for v in utils.all_versions() if tuple(int(p) for p in utils.major_minor(v).split(".")) <= want]
    if not fits:
        raise SystemExit("kubernetes-validate bundles no schemas for Kubernetes %s" % desired)
    return fits[-1]


def strict(node):
    """OpenAPI v3 (CRD dialect) to JSON Schema 2020-12, closing objects that list their properties."""
    if isinstance(node, list):
        return [strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties"):
            out[key] = {name: strict(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = strict(value)
        else:
            out[key] = value
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    open_object = out.get("x-kubernetes-preserve-unknown-fields") is True
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out and not open_object:
        out["additionalProperties"] = False
    return out


def crd_validators(paths, defs):
    """(apiVersion, kind) -> (validator, label) for every served version of every CRD file."""
    found = {}
    for path in paths:
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                spec = crd["spec"]
                for version in spec["versions"]:
                    if not version.get("served", False):
                        continue
                    schema = strict(version["schema"]["openAPIV3Schema"])
                    # The CRD only says `type: object` for metadata; the API server checks it as ObjectMeta.
                    schema.setdefault("properties", {})["metadata"] = {"$ref": OBJECT_META}
                    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
                    schema["$id"] = "https://kubernetes.io/api/crd/%s/%s/%s" % (spec["group"], version["name"], spec["names"]["kind"])
                    registry = Resource.from_contents(schema) @ (Resource.from_contents(defs) @ Registry())
                    api_version = "%s/%s" % (spec["group"], version["name"])
                    label = "crd %s %s" % (crd["metadata"]["name"], crd["metadata"].get("annotations", {}).get("operator.prometheus.io/version", ""))
                    found[(api_version, spec["names"]["kind"])] = (jsonschema.Draft202012Validator(schema, registry=registry), label.strip())
    return found


def check(doc, version, crds):
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in crds:
        validator, label = crds[key]
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            return label, "%s: %s" % (".".join(str(p) for p in errors[0].path), errors[0].message)
        return label, None
    label = "kubernetes %s strict" % utils.major_minor(version)
    try:
        utils.validate(doc, version, strict=True)
        return label, None
    except utils.ValidationError as e:
        return label, "%s: %s" % (".".join(str(p) for p in e.path), e.message)
    except utils.SchemaNotFoundError as e:
        return label, e.message


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubernetes-version", required=True)
    parser.add_argument("--crd", action="append", default=[])
    parser.add_argument("--out", required=True)
    parser.add_argument("manifests")
    args = parser.parse_args()

    version = schema_version(args.kubernetes_version)
    defs = utils.schema_contents("kubernetes-json-schema/v%s-local-strict/_definitions.json" % version, version)
    crds = crd_validators(args.crd, defs)
    with open(args.manifests) as f:
        documents = [d for d in yaml.safe_load_all(f) if d]
    results = []
    for doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) or not isinstance(doc.get("apiVersion"), str):
            results.append({"apiVersion": None, "kind": None, "name": None, "schema": None, "error": "not a Kubernetes object (no apiVersion/kind)"})
            continue
        label, error = check(doc, version, crds)
        name = (doc.get("metadata") or {}).get("name")
        results.append({"apiVersion": doc["apiVersion"], "kind": doc["kind"], "name": name, "schema": label, "error": error})
    with open(args.out, "w") as f:
        json.dump({"documents": documents, "results": results}, f)
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
