// Bundles the two ODK web clients the XForm tests fill: dist/enketo.js (IIFE) and dist/webforms.js (ES module).
import * as esbuild from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
const common = { absWorkingDir: here, bundle: true, platform: 'browser', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['enketo-entry.js'], format: 'iife', outfile: 'dist/enketo.js',
                  external: ['libxslt'] }),
  esbuild.build({ ...common, entryPoints: ['webforms-entry.js'], format: 'esm', outfile: 'dist/webforms.js',
                  define: { 'process.env.NODE_ENV': '"production"', __VUE_OPTIONS_API__: 'true',
                            __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' } }),
]);
