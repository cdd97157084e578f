// The JupyterLab 4 application of the browser suite: stock extensions only, as in the
// JupyterLab repository's examples/app. The list must match "jupyterlab" in package.json
// (the build copies those packages' settings schemas and themes).
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

// The public path must be set before any asset (CSS, fonts) loads.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

const styles = import('./build/style.js');

// The language-server plugins need a server extension jupyter_server 1.23 lacks.
const withoutLsp = plugins => plugins.default.filter(({ id }) => !id.includes(':language-server'));

window.addEventListener('load', async () => {
  await styles;
  const extensions = [
    import('@jupyterlab/application-extension'),
    import('@jupyterlab/apputils-extension'),
    import('@jupyterlab/codemirror-extension'),
    import('@jupyterlab/completer-extension'),
    import('@jupyterlab/docmanager-extension'),
    import('@jupyterlab/documentsearch-extension'),
    import('@jupyterlab/filebrowser-extension'),
    import('@jupyterlab/mainmenu-extension'),
    import('@jupyterlab/markedparser-extension'),
    import('@jupyterlab/mathjax-extension'),
    import('@jupyterlab/metadataform-extension'),
    import('@jupyterlab/notebook-extension').then(withoutLsp),
    import('@jupyterlab/rendermime-extension'),
    import('@jupyterlab/shortcuts-extension'),
    import('@jupyterlab/statusbar-extension'),
    import('@jupyterlab/theme-light-extension'),
    import('@jupyterlab/toc-extension'),
    import('@jupyterlab/translation-extension'),
    import('@jupyterlab/ui-components-extension')
  ];
  const mimeExtensions = [import('@jupyterlab/javascript-extension'), import('@jupyterlab/json-extension')];

  const lab = new JupyterLab({ mimeExtensions: await Promise.all(mimeExtensions) });
  const pluginsOf = m => {
    const exports = Object.prototype.hasOwnProperty.call(m, '__esModule') ? m.default : m;
    return Array.isArray(exports) ? exports : [exports];
  };
  lab.registerPlugins((await Promise.all(extensions)).map(pluginsOf).flat());
  await lab.start();
  await lab.restored;
  // The browser suite reads the application state from here (as JupyterLab's own Galata does).
  window.jupyterapp = lab;
  document.body.setAttribute('data-acrobot-lab', 'ready');
});
