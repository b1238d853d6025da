import { Rng } from './rng.js';
import { CsvWriter } from './writer.js';

export const ASSIGNMENT_HEADER = 'session_id,experiment,variant';
export const EXPERIMENT_LABEL_HEADER = 'experiment,true_relative_lift,control_rate,split';

export interface ExperimentSpec {
  name: string;
  lift: number;
  split: number;
}

/**
 * Probabilities of assigning a purchasing (q1) and a non-purchasing (q0) session to B so that
 * P(B) = split and conversion(B) = (1 + lift) × conversion(A), given the overall conversion c.
 * With s = split, L = lift: control rate a = c / (1 + sL), treatment rate b = (1 + L)a,
 * q1 = s·b / c and q0 = s·(1 − b) / (1 − c) (Bayes' rule on P(variant | purchased)).
 */
export function assignmentProbabilities(
  c: number,
  spec: ExperimentSpec,
): { q1: number; q0: number; a: number } {
  const a = c / (1 + spec.split * spec.lift);
  const b = (1 + spec.lift) * a;
  if (b > 1) {
    const maxLift = (1 - c) / (c - spec.split);
    throw new Error(
      `experiment lift ${spec.lift} is impossible at conversion ${c.toFixed(4)}: ` +
        `use a lift of at most ${maxLift.toFixed(2)} or more events per order`,
    );
  }
  const q1 = c > 0 ? (spec.split * b) / c : spec.split;
  const q0 = c < 1 ? (spec.split * (1 - b)) / (1 - c) : spec.split;
  return { q1, q0, a };
}

/** Writes assignments.csv (every session) and the experiment's ground-truth label file. */
export async function writeExperiment(
  spec: ExperimentSpec,
  purchased: Uint8Array,
  sessions: number,
  purchaseSessions: number,
  seed: number,
  assignmentsPath: string,
  labelPath: string,
): Promise<void> {
  const c = sessions > 0 ? purchaseSessions / sessions : 0;
  const { q1, q0, a } = assignmentProbabilities(c, spec);
  const rng = new Rng(seed, 5);
  const width = Math.max(6, String(purchased.length).length);
  const out = await CsvWriter.open(assignmentsPath, ASSIGNMENT_HEADER);
  const tailA = `,${spec.name},A`;
  const tailB = `,${spec.name},B`;
  for (let s = 0; s < sessions; s++) {
    const b = rng.float() < (purchased[s] ? q1 : q0);
    out.line(`SESSION${String(s + 1).padStart(width, '0')}${b ? tailB : tailA}`);
    if ((s & 8191) === 0) await out.ready();
  }
  await out.close();
  const labels = await CsvWriter.open(labelPath, EXPERIMENT_LABEL_HEADER);
  labels.line(`${spec.name},${spec.lift},${a.toFixed(6)},${spec.split}`);
  await labels.close();
}
