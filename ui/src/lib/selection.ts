// Selecting messages in a conversation: a click toggles one message, a shift-click selects
// every message from the last one clicked (the anchor) to this one, as file managers do.

export interface Selection {
  readonly ids: ReadonlySet<string>;
  /** The message last clicked without shift: where a shift-click's range starts. */
  readonly anchor: string | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null };

/**
 * The selection after a click on message `id`. `order` is the messages in the order shown;
 * with `shift` and an anchor still shown, the range between them is selected (added to what
 * is selected), otherwise `id` is toggled and becomes the anchor.
 */
export function clickMessage(sel: Selection, order: readonly string[], id: string, shift: boolean): Selection {
  const at = order.indexOf(id);
  const from = sel.anchor === null ? -1 : order.indexOf(sel.anchor);
  if (shift && at >= 0 && from >= 0) {
    const [lo, hi] = from <= at ? [from, at] : [at, from];
    const ids = new Set(sel.ids);
    for (const m of order.slice(lo, hi + 1)) ids.add(m);
    return { ids, anchor: sel.anchor };
  }
  const ids = new Set(sel.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, anchor: id };
}

/** The selected ids in the order shown (what is sent to the core). */
export function selectedInOrder(sel: Selection, order: readonly string[]): string[] {
  return order.filter((id) => sel.ids.has(id));
}
