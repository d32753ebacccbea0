// For pages that embed credit-gauge in an iframe (embed.html): resizes each such frame to its
// content, and re-dispatches the widget's events on the iframe element.
//   <iframe src="https://your-server/embed.html?api=cmc" style="width:100%;border:0"></iframe>
//   <script src="https://your-server/credit-gauge-host.js"></script>
window.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || typeof data.type !== "string" || !data.type.startsWith("credit-gauge:")) return;
  for (const frame of document.querySelectorAll("iframe")) {
    if (frame.contentWindow !== event.source) continue;
    if (data.type === "credit-gauge:size") {
      frame.style.height = `${Math.ceil(Number(data.height) || 0)}px`;
    } else {
      frame.dispatchEvent(new CustomEvent(data.type, { detail: data.detail, bubbles: true }));
    }
  }
});
