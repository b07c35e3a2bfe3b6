// Scrolling a child to the middle of its scrolling container (without moving
// any other scrollable ancestor, as scrollIntoView would).

export function centreIn(container: HTMLElement, child: HTMLElement): void {
  const c = container.getBoundingClientRect();
  const r = child.getBoundingClientRect();
  const delta = r.top - c.top - (container.clientHeight - r.height) / 2;
  container.scrollTop = Math.max(0, container.scrollTop + delta);
}

/** The element with `data-id` = id inside root (ids are compared as strings, not as selectors). */
export function byDataId(root: ParentNode, id: string): HTMLElement | null {
  for (const el of root.querySelectorAll<HTMLElement>("[data-id]")) if (el.dataset.id === id) return el;
  return null;
}
