#!/usr/bin/env python3
"""A test double for the image builder (no container engine runs here): Lite's `builder: command`
runs this with the build in its environment; instead of building, it registers the image with the fake
cluster's registry as a path map (the project folder and Lite's sdk at the paths a built image has
them). Usage: fake_image_builder.py STATE_DIR [--fail MESSAGE]. Standard library only."""
import json
import os
import ssl
import sys
import urllib.request


def main(argv):
    state_dir = argv[0]
    if len(argv) > 2 and argv[1] == "--fail":
        sys.stderr.write(f"fake build failure: {argv[2]}\n")
        return 1
    with open(os.path.join(state_dir, "ready.json")) as f:
        ready = json.load(f)
    image = os.environ["LEOFLOW_IMAGE"]
    body = {
        "image": image,
        "path_map": {"/opt/leoflow/project": os.environ["LEOFLOW_PROJECT_DIR"],
                     "/opt/leoflow/sdk": os.environ["LEOFLOW_SDK_DIR"]},
        "env": {"PYTHONPATH": "/opt/leoflow/sdk", "LEOFLOW_HOME": "/tmp/leoflow", "PYTHONUNBUFFERED": "1"},
        "workingDir": "/opt/leoflow/project",
    }
    request = urllib.request.Request(ready["url"] + "/_fake/images", data=json.dumps(body).encode(), method="POST")
    request.add_header("Authorization", f"Bearer {ready['token']}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ready["ca_file"]), timeout=30):
        pass
    print(f"registered {image} with the fake cluster (path map, not a built image)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
