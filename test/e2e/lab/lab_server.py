"""JupyterLab 4, served by Debian's jupyter-server 1.23 and jupyterlab-server 2.16.

The `jupyterlab` Python package is not packaged for Debian 12, but the server side is: this
small LabServerApp (as in the JupyterLab repository's examples/app) serves the front end that
`npm run build` put in build/. Settings and workspaces live where JupyterLab keeps them
(~/.jupyter/lab/user-settings and workspaces) or in folders given on the command line (the
browser suite gives a fresh temporary folder per run), never in the checkout.

    python3 lab_server.py --ServerApp.root_dir=DIR --AcrobotLab.user_settings_dir=DIR2 ...
"""
import json
import os

from jupyter_core.paths import jupyter_config_dir
from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

# The user's Jupyter config folder (JupyterLab keeps settings and workspaces there), looked up
# before config files are switched off: only the command line configures this app.
USER_CONFIG = jupyter_config_dir()
os.environ["JUPYTER_NO_CONFIG"] = "1"

with open(os.path.join(HERE, "package.json")) as f:
    VERSION = json.load(f)["version"]


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": AcrobotLab}]


class AcrobotLab(LabServerApp):
    # The extension is this module (jupyter_server looks the app up by module name).
    name = __name__
    extension_url = "/lab"
    app_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab (acrobot-dqn browser suite)"
    app_version = VERSION
    app_settings_dir = os.path.join(BUILD, "application_settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    static_dir = BUILD
    templates_dir = os.path.join(HERE, "templates")
    themes_dir = os.path.join(BUILD, "themes")
    # Where JupyterLab itself keeps them, unless given on the command line.
    user_settings_dir = os.path.join(USER_CONFIG, "lab", "user-settings")
    workspaces_dir = os.path.join(USER_CONFIG, "lab", "workspaces")


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BUILD, "bundle.js")):
        raise SystemExit(f"{BUILD}/bundle.js is missing: run `npm ci && npm run build` in {HERE}")
    AcrobotLab.launch_instance()
