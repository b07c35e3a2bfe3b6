import { describe, expect, it } from "vitest";
import { ApiFailure, toApiError } from "../lib/api";

describe("toApiError", () => {
  it("keeps the code and message of an ApiError from Rust", () => {
    const e = toApiError({ code: "wrong_passphrase", message: "Wrong passphrase." });
    expect(e).toBeInstanceOf(ApiFailure);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe("wrong_passphrase");
    expect(e.message).toBe("Wrong passphrase.");
  });

  it("maps unknown codes, plain strings and anything else to internal", () => {
    expect(toApiError({ code: "nope", message: "odd" })).toMatchObject({ code: "internal", message: "odd" });
    expect(toApiError("command stats not found")).toMatchObject({ code: "internal", message: "command stats not found" });
    expect(toApiError(new TypeError("boom"))).toMatchObject({ code: "internal", message: "boom" });
    expect(toApiError(undefined).code).toBe("internal");
    expect(toApiError(42).message).toBeTruthy();
  });

  it("passes an ApiFailure through unchanged", () => {
    const f = new ApiFailure("locked", "Locked.");
    expect(toApiError(f)).toBe(f);
  });
});
