// Defines the <credit-gauge> element. Include it once, from where the widget is served:
//   <script type="module" src="https://your-server/credit-gauge-element.js"></script>
//   <credit-gauge api="cmc" endpoint="/v1/cryptocurrency/listings/latest" params="limit=10"></credit-gauge>
// Attributes: api, base-url, endpoint, params, plan, compact, theme, refresh, timeout, key.
// Changing an attribute re-renders. element.fetch(path, { params, priority, signal, maxWait })
// sends the page's own request through the gauge (see the embedding guide). Events:
// credit-gauge:cost, credit-gauge:warning, credit-gauge:error (CustomEvent, bubbling, detail
// documented in the embedding guide). TypeScript: credit-gauge-element.d.ts and
// credit-gauge.d.ts, served beside this script.
//
// Two builds of the widget lie beside this script: the whole widget (credit-gauge.js) and the
// compact module (credit-gauge-compact.js: the gauges without the panels, about two thirds of
// the download). Each is fetched the first time something needs it, so a page with compact
// gauges only never downloads the whole widget.

const ATTRIBUTES = ["api", "base-url", "endpoint", "params", "plan", "compact", "theme", "refresh", "timeout", "key"];
const scriptOrigin = new URL(import.meta.url).origin;

const modules = new Map();
const failed = new Set();
let whole = null;

// A module's wasm, compiled as it arrives when labelled exactly application/wasm (what
// streaming compilation accepts), else from its bytes.
function compile(url, init) {
  return fetch(url, init).then((answer) => {
    if (!answer.ok) throw new Error(`${url}: HTTP ${answer.status}`);
    const label = (answer.headers.get("content-type") || "").trim().toLowerCase();
    return label === "application/wasm" && WebAssembly.compileStreaming
      ? WebAssembly.compileStreaming(answer)
      : answer.arrayBuffer();
  });
}

// The module for compact gauges or the whole widget, loaded and started once. Its wasm is
// fetched and compiled beside its bindings' download, not after it. A load that failed is
// tried again by the next render that needs the module, asking the server again rather than
// the browser's cache (which may hold what failed: a server's fallback page).
function load(compact) {
  let module = modules.get(compact);
  if (!module) {
    const wasm = new URL(compact ? "./credit-gauge-compact_bg.wasm" : "./credit-gauge_bg.wasm", import.meta.url);
    const compiled = compile(wasm, failed.has(compact) ? { cache: "no-cache" } : {});
    const bindings = compact ? import("./credit-gauge-compact.js") : import("./credit-gauge.js");
    module = Promise.all([bindings, compiled]).then(async ([m, wasmModule]) => {
      await m.default({ module_or_path: wasmModule });
      if (!compact) whole = m;
      return m;
    });
    module.catch(() => {
      modules.delete(compact);
      failed.add(compact);
    });
    modules.set(compact, module);
  }
  return module;
}

// As the widget reads it: present, and anything but "false".
const isCompact = (options) => "compact" in options && options.compact !== "false";

class CreditGaugeElement extends HTMLElement {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  #handle = null;
  #scheduled = null;
  #rendered = Promise.resolve();
  #renders = 0;

  connectedCallback() {
    this.#schedule();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#schedule();
  }

  disconnectedCallback() {
    this.#drop();
  }

  // The page's own request through the gauge: counted, queued while a limit says wait, and
  // answered as { ok, status, data, charged, estimated, fromServer, explanation }. Waits for the
  // element's module and its latest render.
  async fetch(path, options = {}) {
    // The latest render: one asked for while waiting (an attribute changed) replaces it.
    let rendered;
    do {
      rendered = this.#rendered;
      await rendered;
    } while (rendered !== this.#rendered);
    if (!this.#handle) throw new Error("credit-gauge: the element is not on the page");
    return this.#handle.fetch(String(path), options);
  }

  // Several attribute changes in one task render once, after it.
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = Promise.resolve().then(() => {
      this.#scheduled = null;
      return this.#render();
    });
    this.#rendered = this.#scheduled;
    // A module that fails to load rejects the element's fetch, and the page hears why.
    this.#rendered.catch((e) => {
      console.error("credit-gauge:", e);
      this.dispatchEvent(
        new CustomEvent("credit-gauge:error", {
          bubbles: true,
          composed: true,
          detail: {
            api: (this.getAttribute("api") || "").toLowerCase() === "cw" ? "cw" : "cmc",
            endpoint: this.getAttribute("endpoint") || "",
            status: null,
            code: null,
            message: String(e && e.message ? e.message : e),
            title: "The widget's code did not load",
            explanation:
              "The browser could not load the widget's code from where this element's script came from.",
            whatToDo:
              "Check the network, and that the widget's files are served beside credit-gauge-element.js; the element tries again when it is next rendered.",
            retryAt: null,
          },
        }),
      );
    });
  }

  #render() {
    if (!this.isConnected) return;
    const options = { scriptOrigin };
    for (const name of ATTRIBUTES) {
      if (this.hasAttribute(name)) options[name] = this.getAttribute(name);
    }
    // A later render (an attribute changed while a module loaded) or a removal wins.
    const render = ++this.#renders;
    return load(isCompact(options)).then((m) => {
      if (render !== this.#renders || !this.isConnected) return;
      this.#drop();
      this.#handle = m.mount(this, options);
    });
  }

  #drop() {
    if (this.#handle) {
      this.#handle.unmount();
      this.#handle.free();
      this.#handle = null;
    }
  }
}

if (!customElements.get("credit-gauge")) customElements.define("credit-gauge", CreditGaugeElement);

// For pages that build their own: `await ready`, then `mount(element, options)`. `ready` loads
// the whole widget when the page first waits on it.
const ready = {
  then: (onFulfilled, onRejected) => load(false).then(() => undefined).then(onFulfilled, onRejected),
  catch: (onRejected) => ready.then(undefined, onRejected),
  finally: (onFinally) => load(false).then(() => undefined).finally(onFinally),
  [Symbol.toStringTag]: "Promise",
};

function mount(target, options) {
  if (!whole) throw new Error("credit-gauge: await ready before calling mount");
  return whole.mount(target, options);
}

export { mount, ready };
