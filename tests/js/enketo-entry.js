// Enketo as KoboToolbox serves it: enketo-transformer's browser build turns the XForm into HTML and a model
// (with Chromium's XSLTProcessor), and enketo-core runs that form. Bundled by build.mjs into dist/enketo.js.
import { Form } from 'enketo-core';
import { transform } from 'enketo-transformer/web';

window.cpcEnketo = { Form, transform };
