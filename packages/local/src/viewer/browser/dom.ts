/// <reference lib="dom" />
// Element builders for the viewer. Text always goes in as text nodes, never as markup:
// span names, attribute values and service names come from messages and are untrusted.

/** What an element can hold: nodes, text, or nothing (skipped, for conditional parts). */
export type Child = Node | string | number | null | undefined | false;

/** Attributes set with `setAttribute`, which never parses its value as markup. */
export type Attributes = Readonly<Record<string, string | number>>;

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Creates an HTML element with attributes and children.
 *
 * @example
 * const row = h('tr', { class: 'span' }, h('td', {}, span.name));
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

/**
 * Creates an SVG element with attributes and children.
 *
 * @example
 * const label = svg('text', { x: 10, y: 20 }, node.name);
 */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}
