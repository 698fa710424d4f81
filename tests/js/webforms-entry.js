// ODK Web Forms as ODK Central serves it: the Vue component with the engine inside.
// Bundled by build.mjs into dist/webforms.js (an ES module: the package awaits at its top level).
import { createApp, h } from 'vue';
import { OdkWebForm, webFormsPlugin } from '@getodk/web-forms';

let app = null;

/** Mount a fresh form on the element; resolves to the engine's root node once the form is rendered. */
function mount(element, formXml) {
  if (app) app.unmount();
  app = createApp({
    render: () => h(OdkWebForm, { formXml, fetchFormAttachment: () => Promise.reject(new Error('no attachments')) }),
  });
  app.use(webFormsPlugin);
  app.mount(element);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const root = findRoot(element);
      if (root) resolve(root);
      else if (Date.now() - started > 20000) reject(new Error('the form did not load'));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/** The engine's root node, found among the props of the rendered components (the component keeps it private). */
function findRoot(element) {
  const stack = [element._vnode];
  while (stack.length) {
    const vnode = stack.pop();
    if (!vnode || typeof vnode !== 'object') continue;
    if (vnode.component) {
      for (const prop of Object.values(vnode.component.props || {})) {
        if (prop && typeof prop === 'object' && prop.root && prop.root.nodeType === 'root') return prop.root;
      }
      stack.push(vnode.component.subTree);
    }
    if (Array.isArray(vnode.children)) stack.push(...vnode.children);
    if (vnode.suspense) stack.push(vnode.suspense.activeBranch);
  }
  return null;
}

/** Every node under the root, by its reference (/data/section/question). */
function nodes(root) {
  const out = {};
  const walk = (node) => {
    out[node.currentState.reference] = node;
    for (const child of node.currentState.children || []) walk(child);
  };
  walk(root);
  return out;
}

window.cpcWebForms = { mount, nodes };
