// Going from a reply's quote to the quoted message in a scrolling list of
// bubbles: centre it (as a search hit is centred), move keyboard focus to it,
// and highlight it for a moment.

import { byDataId, centreIn } from "./scroll";

/** How long the message jumped to stays highlighted. */
export const FLASH_MS = 1600;

export class MessageJump {
  /** Id of the message highlighted right now, if any. */
  flashing = $state<string | null>(null);
  #container: () => HTMLElement | null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(container: () => HTMLElement | null) {
    this.#container = container;
  }

  /** Jump to message `id`; false when it is not in the list. */
  to = (id: string): boolean => {
    const box = this.#container();
    const el = box ? byDataId(box, id) : null;
    if (!box || !el) return false;
    centreIn(box, el);
    el.focus({ preventScroll: true });
    clearTimeout(this.#timer);
    this.flashing = id;
    this.#timer = setTimeout(() => (this.flashing = null), FLASH_MS);
    return true;
  };

  stop(): void {
    clearTimeout(this.#timer);
    this.flashing = null;
  }
}
