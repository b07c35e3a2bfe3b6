import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

const target = document.getElementById("app")!;

if (import.meta.env.MODE === "mock") {
  // Browser-only development: configure the in-memory mock from ?screen=.
  void import("./lib/mock/scenarios").then(({ setupMock }) => {
    const { start, run } = setupMock(new URL(window.location.href));
    mount(App, { target, props: start });
    document.documentElement.dataset.mock = "true";
    if (run) void run().then(() => (document.documentElement.dataset.ready = "true"));
    else document.documentElement.dataset.ready = "true";
  });
} else {
  mount(App, { target });
}
