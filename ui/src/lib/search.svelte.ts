// Search state lives here, outside the Search screen, so that the query, the
// results and the opened hit are still there after a look at a conversation.
// It holds decrypted text: App calls `reset()` when the archive is locked.

import { search as searchCommand, showContext, toApiError, type ApiFailure } from "./api";
import type { ConversationView } from "./bindings/ConversationView";
import type { SearchHit } from "./bindings/SearchHit";
import type { SearchResults } from "./bindings/SearchResults";
import type { SortOrder } from "./bindings/SortOrder";
import { systemTimeZone } from "./format";

/** Hits fetched per search call ("Load more" fetches the next page). */
export const SEARCH_PAGE = 50;
/** Messages shown before and after a hit in the detail pane. */
export const CONTEXT_MESSAGES = 5;

export type OpenHit = { hit: SearchHit; view: ConversationView | null; error: ApiFailure | null };

class SearchState {
  /** The text in the search box. */
  query = $state("");
  sort = $state<SortOrder>("relevance");
  /** The query and sort the results below are for ("" before the first search). */
  ran = $state("");
  ranSort = $state<SortOrder>("relevance");
  /** The last answer (total, time, facets); its hits are in `hits`. */
  results = $state.raw<SearchResults | null>(null);
  /** Every hit loaded so far (first page plus "Load more" pages). */
  hits = $state.raw<SearchHit[]>([]);
  loading = $state<"none" | "search" | "more">("none");
  /** Why the last search failed; `failedQuery` is the query it was about. */
  error = $state.raw<ApiFailure | null>(null);
  failedQuery = $state("");
  moreError = $state.raw<ApiFailure | null>(null);
  /** The hit shown with its context in the detail pane. */
  open = $state.raw<OpenHit | null>(null);

  #seq = 0;
  #openSeq = 0;

  get hasMore(): boolean {
    return this.results !== null && this.hits.length < this.results.total;
  }

  /** Search for `query` (default: the box's text); an empty query clears the results. */
  async run(query?: string): Promise<void> {
    if (query !== undefined) this.query = query;
    const q = this.query.trim();
    const seq = ++this.#seq;
    this.error = null;
    this.moreError = null;
    if (!q) {
      this.clearResults();
      this.loading = "none";
      return;
    }
    this.loading = "search";
    const sort = this.sort;
    try {
      const r = await searchCommand({ query: q, limit: SEARCH_PAGE, offset: 0, sort, tz: systemTimeZone() });
      if (seq !== this.#seq) return;
      this.results = r;
      this.hits = r.hits;
      this.ran = q;
      this.ranSort = sort;
      this.close();
    } catch (e) {
      if (seq !== this.#seq) return;
      // The results of the previous query stay; the error under the box says this one did not run.
      this.error = toApiError(e);
      this.failedQuery = q;
    } finally {
      if (seq === this.#seq) this.loading = "none";
    }
  }

  /** Append the next page of the current results. */
  async more(): Promise<void> {
    if (!this.hasMore || this.loading !== "none") return;
    const seq = this.#seq;
    this.loading = "more";
    this.moreError = null;
    try {
      const r = await searchCommand({
        query: this.ran,
        limit: SEARCH_PAGE,
        offset: this.hits.length,
        sort: this.ranSort,
        tz: systemTimeZone(),
        // The first page's facets count every match already.
        facets: false,
      });
      if (seq !== this.#seq) return;
      const have = new Set(this.hits.map((h) => h.message_id));
      this.hits = [...this.hits, ...r.hits.filter((h) => !have.has(h.message_id))];
      const facets = this.results?.facets ?? r.facets;
      // An empty page means the total was out of date (the archive changed).
      this.results = { ...r, facets, total: r.hits.length === 0 ? this.hits.length : r.total };
    } catch (e) {
      if (seq === this.#seq) this.moreError = toApiError(e);
    } finally {
      if (seq === this.#seq) this.loading = "none";
    }
  }

  /** Show `hit` with the messages around it in the detail pane. */
  async openHit(hit: SearchHit): Promise<void> {
    const seq = ++this.#openSeq;
    this.open = { hit, view: null, error: null };
    try {
      const view = await showContext(hit.conversation_id, hit.message_id, CONTEXT_MESSAGES);
      if (seq === this.#openSeq) this.open = { hit, view, error: null };
    } catch (e) {
      if (seq === this.#openSeq) this.open = { hit, view: null, error: toApiError(e) };
    }
  }

  close(): void {
    this.#openSeq++;
    this.open = null;
  }

  clearResults(): void {
    this.results = null;
    this.hits = [];
    this.ran = "";
    this.close();
  }

  /** Forget everything (the archive was locked). */
  reset(): void {
    this.#seq++;
    this.query = "";
    this.sort = "relevance";
    this.ranSort = "relevance";
    this.error = null;
    this.failedQuery = "";
    this.moreError = null;
    this.loading = "none";
    this.clearResults();
  }
}

export const search = new SearchState();
