//! Plain DOM for the widget's views: built once and updated in place by a few render effects.
//! Leptos's views compile their code once per element shape; with these helpers instead, the
//! widget carries no view library at all (only the reactive graph), which roughly halves the
//! code a page downloads for a full widget and leaves the compact module its gauges only.

use std::cell::RefCell;

use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Element, Node};

use crate::reactive::{on_cleanup, Owner};

/// The page's document.
pub fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw("a page with a document")
}

/// A listener on the window, removed when dropped.
pub struct WindowListener {
    event: String,
    handler: Closure<dyn Fn(web_sys::Event)>,
}

/// Listens to `event` on the window until the returned handle is dropped.
pub fn listen_to_window(event: &str, handler: impl Fn(web_sys::Event) + 'static) -> WindowListener {
    let handler = Closure::<dyn Fn(web_sys::Event)>::new(handler);
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    }
    WindowListener {
        event: event.to_owned(),
        handler,
    }
}

impl Drop for WindowListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                &self.event,
                self.handler.as_ref().unchecked_ref(),
            );
        }
    }
}

/// A new `<tag>` with `class` (none when empty).
pub fn el(tag: &str, class: &str) -> Element {
    let element = document().create_element(tag).unwrap_throw();
    if !class.is_empty() {
        element.set_class_name(class);
    }
    element
}

/// `child` appended to `parent`, returned.
pub fn add(parent: &Node, child: Element) -> Element {
    let _ = parent.append_child(&child);
    child
}

/// A text node appended to `parent`, returned (to change its text later).
pub fn add_text(parent: &Node, text: &str) -> web_sys::Text {
    let node = document().create_text_node(text);
    let _ = parent.append_child(&node);
    node
}

/// Sets `node`'s text, unless it already reads so: a live region re-reads text that is
/// written again, and an unchanged page should cost nothing.
pub fn set_text(node: &Node, text: &str) {
    if node.text_content().as_deref() != Some(text) {
        node.set_text_content(Some(text));
    }
}

/// Sets (or, with `None`, removes) an attribute, unless it already holds that.
pub fn set_attr(element: &Element, name: &str, value: Option<&str>) {
    if element.get_attribute(name).as_deref() != value {
        let _ = match value {
            Some(value) => element.set_attribute(name, value),
            None => element.remove_attribute(name),
        };
    }
}

/// A new SVG `<tag>` (SVG elements need their namespace to be drawn).
pub fn svg(tag: &str, class: &str) -> Element {
    let element = document()
        .create_element_ns(Some("http://www.w3.org/2000/svg"), tag)
        .unwrap_throw();
    if !class.is_empty() {
        let _ = element.set_attribute("class", class);
    }
    element
}

/// Sets each `(name, value)` attribute of a new element.
pub fn attrs(element: &Element, attributes: &[(&str, &str)]) {
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
}

/// A `<label>` appended to `parent`, starting with `text` (its control comes after).
pub fn label(parent: &Node, class: &str, text: &str) -> Element {
    let label = add(parent, el("label", class));
    add_text(&label, text);
    label
}

/// A `<select id>` of fixed `(value, text)` options appended to `parent`.
pub fn select(parent: &Node, id: &str, options: &[(&str, &str)]) -> Element {
    let select = add(parent, el("select", ""));
    let _ = select.set_attribute("id", id);
    set_options(&select, options.iter().copied());
    select
}

/// Replaces a `<select>`'s options.
pub fn set_options<'a>(select: &Element, options: impl Iterator<Item = (&'a str, &'a str)>) {
    select.set_text_content(None);
    for (value, text) in options {
        let option = add(select, el("option", ""));
        let _ = option.set_attribute("value", value);
        add_text(&option, text);
    }
}

/// An input's or a select's current value (its property, which the user changes).
pub fn value(element: &JsValue) -> String {
    Reflect::get(element, &JsValue::from_str("value"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Sets an input's or a select's value, unless it already holds it (writing it again would
/// move the caret of a field being typed in).
pub fn set_value(element: &Element, text: &str) {
    if value(element) != text {
        let _ = Reflect::set(
            element,
            &JsValue::from_str("value"),
            &JsValue::from_str(text),
        );
    }
}

/// A checkbox's `checked`.
pub fn checked(element: &JsValue) -> bool {
    Reflect::get(element, &JsValue::from_str("checked"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Sets a checkbox's `checked`.
pub fn set_checked(element: &Element, on: bool) {
    if checked(element) != on {
        let _ = Reflect::set(
            element,
            &JsValue::from_str("checked"),
            &JsValue::from_bool(on),
        );
    }
}

/// Listens to `event` on `target` and everything in it, for as long as the current reactive
/// owner lives. It listens while the event goes down to its target (capture), so an event a
/// script sends without `bubbles`, as `new Event("change")` is, reaches it too.
pub fn listen(target: &Element, event: &str, handler: impl Fn(web_sys::Event) + 'static) {
    let handler = Closure::<dyn Fn(web_sys::Event)>::new(handler);
    let _ = target.add_event_listener_with_callback_and_bool(
        event,
        handler.as_ref().unchecked_ref(),
        true,
    );
    // Removed with its owner, even if its element stays on the page (a Rust app's view).
    let (target, event) = (target.clone(), event.to_owned());
    on_cleanup(move || {
        let _ = target.remove_event_listener_with_callback_and_bool(
            &event,
            handler.as_ref().unchecked_ref(),
            true,
        );
    });
}

/// The element `event` was sent to, with its `id` (empty when it has none).
pub fn target(event: &web_sys::Event) -> Option<(Element, String)> {
    let element = event.target()?.dyn_into::<Element>().ok()?;
    let id = element.id();
    Some((element, id))
}

/// An empty comment appended to `parent`: it marks a place among the siblings that come.
fn marker(parent: &Node) -> Node {
    let place: Node = document().create_comment("").into();
    let _ = parent.append_child(&place);
    place
}

/// An element that comes and goes at one place among its siblings (a comment marks the place).
pub struct Slot {
    place: Node,
    shown: RefCell<Option<Element>>,
}

impl Slot {
    /// A slot at the end of `parent`.
    pub fn new(parent: &Node) -> Slot {
        Slot {
            place: marker(parent),
            shown: RefCell::new(None),
        }
    }

    /// Shows the slot's element (made by `make` when it is not shown yet), or removes it.
    /// Returns the element shown, to update.
    pub fn show(&self, shown: bool, make: &dyn Fn() -> Element) -> Option<Element> {
        let mut current = self.shown.borrow_mut();
        if !shown {
            if let Some(element) = current.take() {
                element.remove();
            }
            return None;
        }
        if current.is_none() {
            let element = make();
            if let Some(parent) = self.place.parent_node() {
                let _ = parent.insert_before(&element, Some(&self.place));
            }
            *current = Some(element);
        }
        current.clone()
    }
}

/// Rows of a list, matched to items by position: as many rows as items, each made once and
/// updated in place, before a comment that marks the list's end among its siblings.
pub struct Rows {
    end: Node,
    rows: RefCell<Vec<Element>>,
}

impl Rows {
    /// An empty list at the end of `parent`.
    pub fn new(parent: &Node) -> Rows {
        Rows {
            end: marker(parent),
            rows: RefCell::new(Vec::new()),
        }
    }

    /// Makes (with `make`) or removes rows until there are `count`; returns them in order.
    pub fn resize(&self, count: usize, make: &dyn Fn() -> Element) -> Vec<Element> {
        let mut rows = self.rows.borrow_mut();
        while rows.len() > count {
            if let Some(row) = rows.pop() {
                row.remove();
            }
        }
        while rows.len() < count {
            let row = make();
            if let Some(parent) = self.end.parent_node() {
                let _ = parent.insert_before(&row, Some(&self.end));
            }
            rows.push(row);
        }
        rows.clone()
    }
}

/// A view mounted with its own reactive owner: dropping it disposes its effects and
/// listeners and takes its element off the page. `std::mem::forget` it to keep it for the
/// page's lifetime.
pub struct Mounted {
    owner: Option<Owner>,
    root: Element,
}

/// Builds a view with `make` under a new reactive owner and appends it to `parent`.
pub fn mount(parent: &Node, make: impl FnOnce() -> Element) -> Mounted {
    // Its own root: a mount made while an effect runs (a host page's event handler) is not
    // that effect's, to be disposed of when it runs again.
    let owner = Owner::new_root();
    let root = owner.with(make);
    let _ = parent.append_child(&root);
    Mounted {
        owner: Some(owner),
        root,
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.take() {
            owner.dispose();
        }
        self.root.remove();
    }
}

/// The nearest element, from `event`'s target up, that matches `selector`.
pub fn closest(event: &web_sys::Event, selector: &str) -> Option<Element> {
    event
        .target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}
