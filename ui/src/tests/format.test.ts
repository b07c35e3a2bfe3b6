import { describe, expect, it } from "vitest";
import {
  baseName,
  dayKey,
  formatBytes,
  formatCount,
  formatDate,
  formatDateRange,
  formatDateTimeLong,
  formatDayLabel,
  formatListDate,
  formatTime,
  isValidTimeZone,
  percent,
  plural,
} from "../lib/format";
import { nameBucket, splitLinks } from "../lib/text";

const london = { locale: "en-GB", timeZone: "Europe/London" };
const ny = { locale: "en-US", timeZone: "America/New_York" };

describe("numbers", () => {
  it("uses thousands separators", () => {
    expect(formatCount(0, "en-GB")).toBe("0");
    expect(formatCount(1234567, "en-GB")).toBe("1,234,567");
    expect(formatCount(1234567, "de-DE")).toBe("1.234.567");
  });
  it("pluralises", () => {
    expect(plural(1, "message", "messages", "en-GB")).toBe("1 message");
    expect(plural(1204, "message", "messages", "en-GB")).toBe("1,204 messages");
  });
  it("formats byte sizes", () => {
    expect(formatBytes(0, "en-GB")).toBe("0 B");
    expect(formatBytes(950, "en-GB")).toBe("950 B");
    expect(formatBytes(1536, "en-GB")).toBe("1.5 KB");
    expect(formatBytes(12 * 1024 * 1024, "en-GB")).toBe("12 MB");
    expect(formatBytes(-1, "en-GB")).toBe("");
  });
  it("computes a clamped percentage", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
    expect(percent(1, 0)).toBeNull();
  });
});

describe("dates", () => {
  // 23:30 UTC on 31 Mar 2024 is 00:30 on 1 Apr in London (BST) and 19:30 on 31 Mar in New York.
  const t = "2024-03-31T23:30:00Z";

  it("groups by the calendar day in the given zone", () => {
    expect(dayKey(t, london)).toBe("2024-04-01");
    expect(dayKey(t, ny)).toBe("2024-03-31");
    expect(dayKey("not a date", london)).toBe("");
  });

  it("formats times in the given zone", () => {
    expect(formatTime(t, london)).toBe("00:30");
    expect(formatTime(t, ny)).toMatch(/^7:30\sPM$/);
  });

  it("formats dates and ranges", () => {
    expect(formatDate(t, london)).toBe("1 Apr 2024");
    expect(formatDate(null, london)).toBe("");
    expect(formatDateRange("2023-03-12T10:00:00Z", "2024-01-04T10:00:00Z", london)).toBe("12 Mar 2023 – 4 Jan 2024");
    expect(formatDateRange("2024-01-04T08:00:00Z", "2024-01-04T18:00:00Z", london)).toBe("4 Jan 2024");
    expect(formatDateRange(null, null, london)).toBe("");
  });

  it("gives a long tooltip with the zone", () => {
    expect(formatDateTimeLong(t, london)).toMatch(/Monday.*1 April 2024.*00:30:00.*BST/);
  });

  it("labels days relative to now for the last week", () => {
    const now = new Date("2024-04-03T12:00:00Z");
    expect(formatDayLabel("2024-04-03T06:00:00Z", london, now)).toBe("Today");
    expect(formatDayLabel("2024-04-02T06:00:00Z", london, now)).toBe("Yesterday");
    expect(formatDayLabel(t, london, now)).toBe("Monday");
    expect(formatDayLabel("2024-03-12T10:00:00Z", london, now)).toMatch(/^Tuesday,? 12 March 2024$/);
  });

  it("gives compact list dates", () => {
    const now = new Date("2024-04-03T12:00:00Z");
    expect(formatListDate("2024-04-03T09:05:00Z", london, now)).toBe("10:05");
    expect(formatListDate("2024-04-02T09:05:00Z", london, now)).toBe("Yesterday");
    expect(formatListDate("2024-03-30T09:05:00Z", london, now)).toBe("Sat");
    expect(formatListDate("2023-12-25T09:05:00Z", london, now)).toBe("25 Dec 2023");
    expect(formatListDate(null, london, now)).toBe("");
  });

  it("validates time zone names", () => {
    expect(isValidTimeZone("Europe/London")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});

describe("paths and text", () => {
  it("takes the last path component", () => {
    expect(baseName("/home/a/Chat.zip")).toBe("Chat.zip");
    expect(baseName("C:\\Users\\a\\Chat.zip")).toBe("Chat.zip");
    expect(baseName("/home/a/exports/")).toBe("exports");
  });

  it("splits links out of text without trailing punctuation", () => {
    expect(splitLinks("see https://example.org/a?b=1. ok")).toEqual([
      { text: "see ", link: false },
      { text: "https://example.org/a?b=1", link: true },
      { text: ". ok", link: false },
    ]);
    expect(splitLinks("no links")).toEqual([{ text: "no links", link: false }]);
    expect(splitLinks("")).toEqual([]);
  });

  it("buckets names deterministically", () => {
    expect(nameBucket("Priya Shah", 6)).toBe(nameBucket("Priya Shah", 6));
    expect(nameBucket("x", 6)).toBeGreaterThanOrEqual(0);
    expect(nameBucket("x", 6)).toBeLessThan(6);
  });
});
