// The screens reachable from the left rail, in rail order (App.svelte shows them).

import type { IconName } from "./Icon.svelte";

export type ScreenId = "home" | "search" | "conversations" | "import" | "records" | "cases" | "audit" | "settings";

export type ScreenEntry = { id: ScreenId; label: string; icon: IconName };

export const SCREENS: readonly ScreenEntry[] = [
  { id: "home", label: "Home", icon: "home" },
  { id: "search", label: "Search", icon: "search" },
  { id: "conversations", label: "Conversations", icon: "chat" },
  { id: "import", label: "Import", icon: "import" },
  { id: "records", label: "Records", icon: "shield" },
  { id: "cases", label: "FOI cases", icon: "case" },
  { id: "audit", label: "Audit", icon: "check" },
  { id: "settings", label: "Settings", icon: "key" },
];

export function isScreenId(v: unknown): v is ScreenId {
  return SCREENS.some((s) => s.id === v);
}

/**
 * Go to a screen. `conversationId` selects a conversation on the Conversations
 * screen; `messageId` (with it) opens that conversation around this message,
 * highlighted and centred.
 */
export type Navigate = (screen: ScreenId, opts?: { conversationId?: string; messageId?: string }) => void;
