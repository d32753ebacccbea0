// For pages that embed credit-gauge in an iframe (embed.html): resizes each such frame to its
// content, and re-dispatches the widget's events on the iframe element.
//   <iframe src="https://your-server/embed.html?api=cmc" style="width:100%;border:0"></iframe>
//   <script src="https://your-server/credit-gauge-host.js"></script>
//
// Any frame on the page can post messages, so only messages that come from one of the widget's
// own frames, from the origin this script was loaded from, with a known type, are acted on.
(() => {
  // A classic script knows where it came from; that origin is the widget's.
  const script = document.currentScript;
  const widgetOrigin = script && script.src ? new URL(script.src, location.href).origin : null;
  if (!widgetOrigin) {
    console.warn("credit-gauge-host.js: load it with a plain <script src=…> so it knows the widget's origin");
    return;
  }
  const EVENTS = new Set(["credit-gauge:cost", "credit-gauge:warning", "credit-gauge:error"]);
  // Taller than any widget; a frame that claims more is clamped, not obeyed.
  const MAX_HEIGHT = 4000;

  // The widget's frame that sent `source`, if it is one.
  const frameOf = (source) => {
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow !== source) continue;
      try {
        if (new URL(frame.src, location.href).origin === widgetOrigin) return frame;
      } catch {
        // A frame without a parsable src is not the widget's.
      }
      return null;
    }
    return null;
  };

  // Only plain values cross over: the detail is rebuilt from its own enumerable fields.
  const plain = (detail) => {
    const out = {};
    if (!detail || typeof detail !== "object") return out;
    for (const [name, value] of Object.entries(detail)) {
      if (value === null || ["string", "number", "boolean"].includes(typeof value)) out[name] = value;
    }
    return out;
  };

  window.addEventListener("message", (event) => {
    if (event.origin !== widgetOrigin) return;
    const data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    const frame = frameOf(event.source);
    if (!frame) return;
    if (data.type === "credit-gauge:size") {
      const height = Number(data.height);
      if (!Number.isFinite(height)) return;
      frame.style.height = `${Math.ceil(Math.min(Math.max(height, 0), MAX_HEIGHT))}px`;
    } else if (EVENTS.has(data.type)) {
      frame.dispatchEvent(new CustomEvent(data.type, { detail: plain(data.detail), bubbles: true }));
    }
  });
})();
