// Bundles index.js and copies the extensions' settings schemas and themes into build/.
const path = require('path');
const rspack = require('@rspack/core');
const { Build } = require('@jupyter/builder');
const miniSVGDataURI = require('mini-svg-data-uri');
const data = require('./package.json');

const output = path.join(__dirname, 'build');
const assets = Build.ensureAssets({
  packageNames: [...data.jupyterlab.extensions, ...data.jupyterlab.mimeExtensions],
  output
});

module.exports = [
  {
    entry: ['./index.js'],
    output: { path: output, filename: 'bundle.js' },
    bail: true,
    devtool: false,
    mode: 'production',
    optimization: { minimize: false },
    // Some JupyterLab 4 packages import files without their extension.
    resolve: { fullySpecified: false },
    module: {
      rules: [
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
        { test: /\.css$/, exclude: /\.raw\.css$/, type: 'javascript/auto', use: [rspack.CssExtractRspackPlugin.loader, 'css-loader'] },
        { test: /\.raw\.css$/, type: 'asset/source' },
        { test: /\.html$/, type: 'asset/resource' },
        { test: /\.md$/, type: 'asset/source' },
        { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
        { test: /\.js.map$/, type: 'asset/resource' },
        { test: /\.(woff2?|ttf)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, type: 'asset/resource' },
        {
          test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
          issuer: /\.css$/,
          type: 'asset/inline',
          generator: { dataUrl: { content: c => miniSVGDataURI(c.content), mimetype: 'image/svg+xml' } }
        },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' }
      ]
    },
    plugins: [
      new rspack.DefinePlugin({ process: { cwd: () => '/', env: {} } }),
      new rspack.CssExtractRspackPlugin({ filename: '[name].[contenthash:8].css' })
    ]
  }
].concat(assets);
