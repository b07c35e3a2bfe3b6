// Display names for the `app` field of conversations and stats.

const NAMES: Record<string, string> = {
  whatsapp: "WhatsApp",
  signal: "Signal",
  telegram: "Telegram",
  slack: "Slack",
  email: "Email",
  teams: "Teams",
  sms: "SMS",
};

export function appLabel(app: string): string {
  const known = NAMES[app.toLowerCase()];
  if (known) return known;
  return app ? app.charAt(0).toUpperCase() + app.slice(1) : "Unknown";
}

/** Apps with their own badge colour in app.css; others use the neutral one. */
export function appKey(app: string): string {
  const k = app.toLowerCase();
  return k in NAMES ? k : "other";
}
