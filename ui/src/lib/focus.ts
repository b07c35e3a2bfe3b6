// Svelte attachments for focus handling (used instead of the autofocus attribute).

/** Focus the element once it is mounted. */
export function focusOnMount(node: HTMLElement): void {
  queueMicrotask(() => node.focus());
}
