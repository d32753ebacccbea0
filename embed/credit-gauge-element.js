// Defines the <credit-gauge> element. Include it once, from where the widget is served:
//   <script type="module" src="https://your-server/credit-gauge-element.js"></script>
//   <credit-gauge api="cmc" endpoint="/v1/cryptocurrency/listings/latest" params="limit=10"></credit-gauge>
// Attributes: api, base-url, endpoint, params, plan, compact, theme, refresh, timeout, key.
// Changing an attribute re-renders. element.fetch(path, { params, priority, signal, maxWait })
// sends the page's own request through the gauge (see the embedding guide). Events:
// credit-gauge:cost, credit-gauge:warning, credit-gauge:error (CustomEvent, bubbling, detail
// documented in the embedding guide). TypeScript: credit-gauge-element.d.ts and
// credit-gauge.d.ts, served beside this script.
import init, { mount } from "./credit-gauge.js";

const ATTRIBUTES = ["api", "base-url", "endpoint", "params", "plan", "compact", "theme", "refresh", "timeout", "key"];
const scriptOrigin = new URL(import.meta.url).origin;
const ready = init({ module_or_path: new URL("./credit-gauge_bg.wasm", import.meta.url) });

class CreditGaugeElement extends HTMLElement {
  static get observedAttributes() {
    return ATTRIBUTES;
  }

  #handle = null;
  #scheduled = false;

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
  // answered as { ok, status, data, charged, estimated, fromServer, explanation }.
  fetch(path, options = {}) {
    return ready.then(() => {
      if (!this.#handle) throw new Error("credit-gauge: the element is not on the page");
      return this.#handle.fetch(String(path), options);
    });
  }

  // Several attribute changes in one task render once.
  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    ready.then(() => {
      this.#scheduled = false;
      this.#render();
    });
  }

  #render() {
    if (!this.isConnected) return;
    const options = { scriptOrigin };
    for (const name of ATTRIBUTES) {
      if (this.hasAttribute(name)) options[name] = this.getAttribute(name);
    }
    this.#drop();
    this.#handle = mount(this, options);
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
// For pages that build their own: `await ready` before calling `mount(element, options)`.
export { mount, ready };
