// `npm run build`: runs rspack on rspack.config.js (the CLI is a separate package we do not need).
const { rspack } = require('@rspack/core');
const started = Date.now();
rspack(require('./rspack.config.js'), (err, stats) => {
  if (err) throw err;
  if (stats.hasErrors()) {
    console.error(stats.toString({ all: false, errors: true }));
    process.exit(1);
  }
  console.log(`JupyterLab front end built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
