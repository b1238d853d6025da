import { type FraudScore, lakeTimestamp, REASON_SEPARATOR, scoreRecord } from '../fraud/index.js';
import { TABLES } from '../lake/index.js';
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
  private readonly orderDate = new TimestampText();

  constructor(private readonly version: string) {
    // The model's version is the one value not taken from a validated order: checked once, here.
    const checked = this.validator.validate(scoreRecord(sampleScore, version, 0), 0);
    if ('rejections' in checked)
      throw new Error(`model version '${version}' cannot be stored: ${checked.rejections[0]?.reason}`);
    this.model = JSON.stringify(version);
  }

  /** The line of one score, scored at `now` (epoch ms). */
  write(s: FraudScore, now: number): ScoreLine {
    const out: string[] = [];
    const key = this.appendTo(out, s, now);
    return typeof key === 'string' ? { key, line: out.join('') } : key;
  }

  /**
   * Appends the line of one score to `out` as pieces, for the caller to join once for a whole batch, and
   * returns its key (or why it was refused). One template literal per line built some fifteen intermediate
   * texts, the largest part of what the worker allocated per order.
   */
  appendTo(out: string[], s: FraudScore, now: number): string | { refused: string } {
    const reasons = s.reasons.join(REASON_SEPARATOR);
    if (reasons.length > MAX_REASONS) {
      const v = this.validated(s, now);
      if ('refused' in v) return v;
      out.push(v.line);
      return v.key;
    }
    // Scores of one batch share their second: formatted once.
    if (Math.floor(now / 1000) !== Math.floor(this.scoredAtMs / 1000)) {
      this.scoredAtMs = now;
      this.scoredAt = lakeTimestamp(now);
    }
    out.push('{"order_id":', JSON.stringify(s.orderId));
    if (s.customerId !== null) out.push(',"customer_id":', JSON.stringify(s.customerId));
    out.push(',"order_date":"');
    this.orderDate.appendTo(out, s.t);
    out.push(
      '","scored_at":"',
      this.scoredAt,
      '","score":',
      String(Math.round(s.score * 10_000) / 10_000),
      s.alert ? ',"alert":1' : ',"alert":0',
    );
    if (reasons !== '') out.push(',"reasons":', JSON.stringify(reasons));
    out.push(',"model":', this.model, '}\n');
    return s.orderId;
  }

  private validated(s: FraudScore, now: number): { key: string; line: string } | { refused: string } {
    const checked = this.validator.validate(scoreRecord(s, this.version, now), 0);
    if ('rejections' in checked) return { refused: checked.rejections[0]?.reason ?? 'refused' };
    return { key: this.validator.key(checked.record), line: `${JSON.stringify(checked.record)}\n` };
  }
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
