// The default time zone for imports: exports that write local times without a zone (WhatsApp,
// Telegram, signal-export) are read in it unless the import screen says otherwise. A setting
// of this device (localStorage), as a laptop used in one office keeps one zone.

import { isValidTimeZone, systemTimeZone } from "./format";

export const ZONE_KEY = "holdfast.defaultImportZone";

/** The saved zone, or this computer's when none is saved (or the saved one is not a zone). */
export function defaultImportZone(storage: Pick<Storage, "getItem"> | null = globalThis.localStorage ?? null): string {
  const saved = storage?.getItem(ZONE_KEY)?.trim();
  return saved && isValidTimeZone(saved) ? saved : systemTimeZone();
}

/** Saves `zone`; an empty one goes back to following this computer. False if not a zone. */
export function saveDefaultImportZone(zone: string, storage: Pick<Storage, "setItem" | "removeItem"> | null = globalThis.localStorage ?? null): boolean {
  const z = zone.trim();
  if (z === "") {
    storage?.removeItem(ZONE_KEY);
    return true;
  }
  if (!isValidTimeZone(z)) return false;
  storage?.setItem(ZONE_KEY, z);
  return true;
}
