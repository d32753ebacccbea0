// TypeScript declarations for credit-gauge's embedding: the <credit-gauge> element, mount(),
// the page's own requests (fetch), the credit-gauge:* events, and mountFrame.
//
// Two files, each beside the script it describes (the build serves both):
//   credit-gauge.d.ts          this file: credit-gauge.js (the whole widget's code, which the
//                              element script loads for full widgets, and mountFrame for the
//                              iframe page; credit-gauge-compact.js, for compact gauges, has the
//                              same exports), every type, and the element, its tag and its
//                              events in the global DOM types;
//   credit-gauge-element.d.ts  credit-gauge-element.js: `mount`, `ready` and the types again.
// Copy both into your project, beside each other, and import from where they lie:
//
//   import { mount, ready, type GaugeReply } from "./vendor/credit-gauge-element.js";
//
// For a script loaded from your server by URL, map the URL to the copies in tsconfig.json:
//   "paths": { "https://your-server/*": ["./vendor/*"] }
// Then `document.querySelector("credit-gauge")` is a CreditGaugeElement, its events are typed
// in addEventListener (on the element, any ancestor, the document and the window), and
// `element.fetch<T>()` resolves to a GaugeReply<T>. The guide is docs/embedding.md.

/** The API a widget counts: CoinMarketCap Pro (`cmc`) or Cryptowatch (`cw`). */
export type Api = "cmc" | "cw";

/** Query parameters: an object of names to values, or a query string (`limit=10&convert=USD`). */
export type Params = Record<string, string | number | boolean> | string;

/** The options of `fetch`. */
export interface FetchOptions {
  /** Added to a query in the path, if any. */
  params?: Params;
  /** Whose request waits first when both wait: a person's (`interactive`) or a timer's. */
  priority?: "interactive" | "background";
  /**
   * Aborting rejects with an `AbortError`: a waiting request is withdrawn (nothing sent); one
   * already on its way stays counted, as the server may have charged it.
   */
  signal?: AbortSignal;
  /** Milliseconds a limit may keep the request waiting; past that it is rejected at once with a {@link TooLateError}. */
  maxWait?: number;
}

/** Why an answer is not ok, and what to do, in plain words. */
export interface Explanation {
  title: string;
  explanation: string;
  whatToDo: string;
  /** When a retry can succeed (UTC milliseconds), or null when waiting does not help. */
  retryAt: number | null;
}

/** What `fetch` resolves to once the request was answered, or refused by a limit that can never allow it. */
export interface GaugeReply<T = unknown> {
  ok: boolean;
  /** The HTTP status; null when nothing was sent or no answer came. */
  status: number | null;
  /** The envelope's `data` (CoinMarketCap) or `result` (Cryptowatch); null when it had none. */
  data: T | null;
  /** Credits charged: the server's figure when `fromServer`, else the estimate (0 when nothing was sent). */
  charged: number;
  /** The estimate made before sending, or null. */
  estimated: number | null;
  fromServer: boolean;
  /** Set exactly when not `ok`. */
  explanation: Explanation | null;
}

/** The rejection of a request a limit would have kept waiting past `maxWait`. */
export type TooLateError = Error & {
  /** When it could go (UTC milliseconds). */
  retryAt: number;
};

/** The options of `mount`: the element's attributes, `baseUrl` or `base-url` alike. */
export interface MountOptions {
  /** Default `cmc`. */
  api?: Api;
  /** The API's base: the emulator's `/cmc` or `/cryptowatch`, or your team gateway. */
  baseUrl?: string;
  "base-url"?: string;
  /** An API path from the catalog, e.g. `/v1/cryptocurrency/listings/latest`. */
  endpoint?: string;
  /** The configured request's parameters, as a query string: `limit=10&convert=USD`. */
  params?: string;
  /** `Basic` … `Enterprise` (any case). */
  plan?: "Basic" | "Hobbyist" | "Startup" | "Standard" | "Professional" | "Enterprise" | (string & {});
  /** Gauges only. */
  compact?: boolean | "true" | "false";
  theme?: "light" | "dark" | "auto";
  /** Send the configured request this many seconds apart (at least 1), through the limiter. */
  refresh?: number | string;
  /** Seconds an answer may take (1 to 120; default 20). */
  timeout?: number | string;
  /** The API key; visible to the page: prefer a team gateway (`baseUrl`) or the iframe. */
  key?: string;
  /** Where the widget's scripts come from, for the default base URL; the element passes its own. */
  scriptOrigin?: string;
}

/** A mounted widget (wasm-bindgen's class: made by `mount`, not with `new`). */
export class MountHandle {
  private constructor();
  /** The page's own request through the gauge; see {@link CreditGaugeElement.fetch}. */
  fetch<T = unknown>(path: string, options?: FetchOptions): Promise<GaugeReply<T>>;
  /** Removes the widget and its styles; the page's requests that still wait reject (nothing sent). */
  unmount(): void;
  /**
   * Releases the handle. After `unmount` this frees its memory; without it, the widget stays
   * on the page for good (as it does when the handle is garbage-collected).
   */
  free(): void;
}

/** `credit-gauge:cost`, after every answer. */
export interface CostDetail {
  api: Api;
  /** The catalog's path, e.g. `/v1/cryptocurrency/listings/latest` or `/markets/:exchange/:pair/price`. */
  endpoint: string;
  estimated: number | null;
  charged: number;
  /** Whether `charged` is the server's figure rather than the estimate. */
  fromServer: boolean;
  status: number | null;
}

/** `credit-gauge:warning`, once per warning, when a credit limit passes 80 % or 95 %. */
export interface WarningDetail {
  api: Api;
  limit: "day" | "month" | "allowance";
  /** 0 to 1. */
  share: number;
  message: string;
}

/** `credit-gauge:error`, for every failed answer. */
export interface ErrorDetail {
  api: Api;
  endpoint: string;
  status: number | null;
  /** CoinMarketCap's `error_code`, or null. */
  code: number | null;
  message: string | null;
  title: string;
  explanation: string;
  whatToDo: string;
  /** UTC milliseconds, or null. */
  retryAt: number | null;
}

/** The events a widget dispatches on its element (bubbling and composed). */
export interface EventMap {
  "credit-gauge:cost": CustomEvent<CostDetail>;
  "credit-gauge:warning": CustomEvent<WarningDetail>;
  "credit-gauge:error": CustomEvent<ErrorDetail>;
}

/** The `<credit-gauge>` element (defined by credit-gauge-element.js; the class is not exported). */
export interface CreditGaugeElement extends HTMLElement {
  /**
   * Sends the page's own request for `path` (an API path of the widget's API, a query in it
   * read too) through the gauge: costed first, queued while a limit says wait, counted in the
   * budget every widget and tab of the origin shares, and resolved once answered.
   *
   * Rejects with an `AbortError` when `signal` aborts (before it went: nothing sent; on its
   * way: counted as the server may have charged it); with a {@link TooLateError} when a limit
   * would keep it waiting past `maxWait`; and, sending nothing, with an `Error` naming the
   * problem when an option cannot be read, the catalog cannot cost it (an unknown path, a
   * missing, unknown or malformed parameter), or the widget is not on the page or was
   * unmounted while the request waited.
   */
  fetch<T = unknown>(path: string, options?: FetchOptions): Promise<GaugeReply<T>>;

  addEventListener<K extends keyof EventMap>(
    type: K,
    listener: (this: CreditGaugeElement, event: EventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: CreditGaugeElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof EventMap>(
    type: K,
    listener: (this: CreditGaugeElement, event: EventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: CreditGaugeElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "credit-gauge": CreditGaugeElement;
  }
  // The events bubble and cross the shadow root, so any ancestor, the document and the window
  // hear them; credit-gauge-host.js dispatches an iframe widget's on its <iframe>.
  interface HTMLElementEventMap extends EventMap {}
  interface DocumentEventMap extends EventMap {}
  interface WindowEventMap extends EventMap {}
}

/** Loads the code (the element script does it once: its `ready`). */
export default function init(options?: {
  module_or_path?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
}): Promise<unknown>;

/**
 * Mounts a widget in `target` (an element, whose open shadow root is created when it has
 * none, or a shadow root) with `options`; throws when `target` is neither. Keep the handle to
 * unmount it. Call it once the code is loaded (`await ready` from credit-gauge-element.js).
 */
export function mount(target: Element | ShadowRoot, options?: MountOptions): MountHandle;

/**
 * The iframe page's mount (embed.html): options from `query` (its `location.search`), trusted
 * less than `mount`'s: a base URL only on the page's own origin or a real API, and no key,
 * plan or scriptOrigin.
 */
export function mountFrame(target: Element | ShadowRoot, query: string): MountHandle;
