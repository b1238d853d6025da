import { type FraudScore, lakeTimestamp, REASON_SEPARATOR, scoreRecord } from '../fraud/index.js';
import { TABLES } from '../lake/index.js';
import { LineBytes } from './fraud-line-bytes.js';
import { TimestampText } from './lake-time-text.js';
import { RecordValidator } from './records.js';

/** Longest reasons text fraud_scores takes (its column's maxLength). */
const MAX_REASONS = 2000;

/** One fraud_scores record as its WAL line (ending in a newline) and its key, or why it was refused. */
export type ScoreLine = { key: string; line: string } | { refused: string };

/**
 * Writes fraud_scores WAL lines for the scoring worker. A score's fields come from our own code (an order
 * the collector validated, a number the model computed, reasons worded from validated fields), so the line
 * is written directly, in the text the collector's RecordValidator and JSON.stringify would give (columns
 * in table order, absent optional columns left out); fraud-score-line.test.ts checks the two agree over edge
 * scores. Validating and serializing each score like a received record cost about 3 µs an order, as much as
 * the forest. Reasons longer than the column still go through the validator, which decides what is stored.
 */
export class ScoreLineWriter {
  private readonly model: string;
  private readonly validator = new RecordValidator(TABLES.fraud_scores);
  private scoredAtMs = Number.NaN;
  private scoredAt = '';
  /** The order_date's text, its day's part kept: the orders of a batch are mostly of one day. */
  private readonly orderDates = new TimestampText();

  constructor(private readonly version: string) {
    // The model's version is the one value not taken from a validated order: checked once, here.
    const checked = this.validator.validate(scoreRecord(sampleScore, version, 0), 0);
    if ('rejections' in checked)
      throw new Error(`model version '${version}' cannot be stored: ${checked.rejections[0]?.reason}`);
    this.model = JSON.stringify(version);
  }

  /** The line of one score, scored at `now` (epoch ms). */
  write(s: FraudScore, now: number): ScoreLine {
    const out = new LineBytes(256);
    const key = this.appendTo(out, s, now);
    return typeof key === 'string' ? { key, line: out.takeText() } : key;
  }

  /**
   * Appends the line of one score to `out` as UTF-8 and returns its key (or why it was refused). Written byte
   * by byte into a buffer reused for every batch: texts for a line's pieces, the pieces joined per batch and
   * the batches per message were half of what the worker allocated per order.
   */
  appendTo(out: LineBytes, s: FraudScore, now: number): string | { refused: string } {
    const reasons = s.reasons.length === 0 ? '' : s.reasons.join(REASON_SEPARATOR);
    if (reasons.length > MAX_REASONS) {
      const v = this.validated(s, now);
      if ('refused' in v) return v;
      out.utf8(v.line);
      return v.key;
    }
    // Scores of one batch share their second: formatted once.
    if (Math.floor(now / 1000) !== Math.floor(this.scoredAtMs / 1000)) {
      this.scoredAtMs = now;
      this.scoredAt = lakeTimestamp(now);
    }
    out.ascii('{"order_id":');
    out.jsonString(s.orderId);
    if (s.customerId !== null) {
      out.ascii(',"customer_id":');
      out.jsonString(s.customerId);
    }
    out.ascii(',"order_date":"');
    this.orderDates.write(out, s.t);
    out.ascii('","scored_at":"');
    out.ascii(this.scoredAt);
    out.ascii('","score":');
    out.ascii(scoreText(s.score));
    out.ascii(s.alert ? ',"alert":1' : ',"alert":0');
    if (reasons !== '') {
      out.ascii(',"reasons":');
      out.jsonString(reasons);
    }
    out.ascii(',"model":');
    out.ascii(this.model);
    out.ascii('}\n');
    return s.orderId;
  }

  private validated(s: FraudScore, now: number): { key: string; line: string } | { refused: string } {
    const checked = this.validator.validate(scoreRecord(s, this.version, now), 0);
    if ('rejections' in checked) return { refused: checked.rejections[0]?.reason ?? 'refused' };
    return { key: this.validator.key(checked.record), line: `${JSON.stringify(checked.record)}\n` };
  }
}

/** The texts of the scores a line can hold (four decimals), by ten-thousandths: String(k / 10_000). */
const SCORE_TEXTS = Array.from({ length: 10_001 }, (_, k) => String(k / 10_000));

/** The score as the line holds it: rounded to four decimals, written as String writes a number. */
function scoreText(score: number): string {
  const k = Math.round(score * 10_000);
  // The same expression as the fallback's, looked up: no text made per order.
  return (k >= 0 && k <= 10_000 ? SCORE_TEXTS[k] : undefined) ?? String(k / 10_000);
}

const sampleScore: FraudScore = {
  orderId: 'O1',
  customerId: 'C1',
  t: Date.UTC(2026, 0, 1),
  score: 0.5,
  anomaly: 0.5,
  alert: false,
  reasons: [],
};
