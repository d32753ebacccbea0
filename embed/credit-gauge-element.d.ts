// TypeScript declarations for credit-gauge-element.js, which defines <credit-gauge> and exports
// `mount` and `ready`. The types, the element and its events are in credit-gauge.d.ts, which
// must lie beside this file (see its header).

import type { MountHandle, MountOptions } from "./credit-gauge.js";

export type {
  Api,
  CostDetail,
  CreditGaugeElement,
  ErrorDetail,
  EventMap,
  Explanation,
  FetchOptions,
  GaugeReply,
  MountHandle,
  MountOptions,
  Params,
  TooLateError,
  WarningDetail,
} from "./credit-gauge.js";

/**
 * Resolves once the whole widget's code is loaded (it is fetched when a page first waits on
 * this): `await` it before calling `mount`. Elements load what they need on their own; a page
 * that only calls `fetch` on its elements need not wait on it. A promise-like object (`then`,
 * `catch`, `finally`), not a `Promise` instance: it starts the download only when awaited.
 */
export declare const ready: Promise<void>;

/**
 * Mounts a widget in `target` (an element, whose open shadow root is created when it has
 * none, or a shadow root) with `options`; throws when `target` is neither. Keep the handle:
 * `handle.unmount()` removes the widget, `handle.fetch()` sends the page's requests through it.
 */
export declare function mount(target: Element | ShadowRoot, options?: MountOptions): MountHandle;
