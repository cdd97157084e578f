/**
 * Do two runs play the same episodes? Used to show that a notebook's own loop
 * and `train()` with the chapter's preset are the same algorithm: the same
 * returns and steps, and (where both have one) bit-identical TD losses, which
 * can only happen with the same weights, batches and targets.
 */
export interface EpisodeSummary {
  episode: number;
  return: number;
  steps: number;
  /** Compared too when both runs have it: equal losses mean equal weights, batches and targets. */
  loss?: number | null;
}

export interface EpisodeComparison {
  same: boolean;
  /** A sentence: how many episodes agree, or the first that does not. */
  message: string;
  /** One row per episode, for a table. */
  rows: { episode: number; "return (notebook)": number | null; "return (train)": number | null; "steps (notebook)": number | null; "steps (train)": number | null }[];
}

export function sameEpisodes(notebook: readonly EpisodeSummary[], library: readonly EpisodeSummary[]): EpisodeComparison {
  const n = Math.max(notebook.length, library.length);
  const rows: EpisodeComparison["rows"] = [];
  let firstDiff: number | null = null;
  for (let i = 0; i < n; i++) {
    const a = notebook[i], b = library[i];
    rows.push({ episode: i + 1, "return (notebook)": a?.return ?? null, "return (train)": b?.return ?? null, "steps (notebook)": a?.steps ?? null, "steps (train)": b?.steps ?? null });
    const lossDiffers = a?.loss != null && b?.loss != null && a.loss !== b.loss;
    if (firstDiff === null && (a === undefined || b === undefined || a.return !== b.return || a.steps !== b.steps || lossDiffers)) firstDiff = i + 1;
  }
  const same = firstDiff === null && n > 0;
  const message = n === 0
    ? "no episodes to compare"
    : same
      ? `the same ${n === 1 ? "episode" : `${n} episodes`}: every return, step count and TD loss agrees`
      : `they differ from episode ${firstDiff} on (notebook: ${notebook.length} episodes, train(): ${library.length})`;
  return { same, message, rows };
}
