import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { UserError } from '../../errors/index.js';
import type { Column, Row, SqlParams } from '../types.js';
import { batchesOfArrowIpc, rowsOfArrowIpc } from './arrow-rows.js';
import { namedArguments } from './literals.js';
import type { SparkRemote } from './remote.js';
import { executePlanResponseSchema } from './responses.js';

// The protocol files ship in the source tree (see proto/README.md); compiled code runs from dist/src/….
const PROTO_ROOT = fileURLToPath(new URL('../../../../src/engines/spark/proto/', import.meta.url));
const SERVICE = 'spark.connect.SparkConnectService';
const CLIENT_TYPE = 'shoplake';

let definitions: PackageDefinition | undefined;

function method(name: string): MethodDefinition<object, object> {
  definitions ??= loadSync('spark/connect/base.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const service = definitions[SERVICE];
  const found = service && !('format' in service) ? service[name] : undefined;
  if (!found || !('path' in found)) throw new Error(`Spark Connect protocol has no ${SERVICE}/${name}`);
  return found;
}

/** An error Spark reported for a statement, with its SQLSTATE when Spark gave one. */
export class SparkQueryError extends Error {
  constructor(
    message: string,
    readonly sqlState: string | undefined,
    readonly grpcCode: number,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'SparkQueryError';
  }

  /** Spark's SQLSTATE class 42 (syntax or access rule: unknown column, bad syntax) is the query's fault. */
  get isQueryMistake(): boolean {
    return this.sqlState?.startsWith('42') === true;
  }
}

/**
 * A Spark Connect session over gRPC: runs SQL with named parameters bound as literals and streams the
 * result's Arrow batches as rows. One session per client; `close` releases it on the server.
 */
export class SparkConnectClient {
  private readonly sessionId = randomUUID();
  private readonly client: grpc.Client;
  private readonly metadata = new grpc.Metadata();

  constructor(readonly remote: SparkRemote) {
    const credentials = remote.useSsl ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    if (remote.token) this.metadata.set('authorization', `Bearer ${remote.token}`);
    this.client = new grpc.Client(`${remote.host}:${remote.port}`, credentials, {
      // Result batches can be large; Spark's own clients accept 128 MiB messages.
      'grpc.max_receive_message_length': 128 * 1024 * 1024,
    });
  }

  /** Streams the rows of a query; parameters are bound as `:name` through the protocol. */
  async *rows(sql: string, params: SqlParams = {}): AsyncGenerator<Row> {
    const plan = { root: { sql: { query: sql, named_arguments: namedArguments(params) } } };
    for await (const response of this.execute(plan)) {
      if (response.arrow_batch) yield* rowsOfArrowIpc(response.arrow_batch.data);
    }
  }

  /** Streams a query's result batch by batch, each with its columns. */
  async *batches(
    sql: string,
    params: SqlParams = {},
    exact = false,
  ): AsyncGenerator<{ columns: Column[]; rows: Row[] }> {
    const plan = { root: { sql: { query: sql, named_arguments: namedArguments(params) } } };
    for await (const response of this.execute(plan)) {
      if (response.arrow_batch) yield* batchesOfArrowIpc(response.arrow_batch.data, exact);
    }
  }

  /** Runs a statement (DDL, SET) for its effect. */
  async run(sql: string, params: SqlParams = {}): Promise<void> {
    const input = { sql: { query: sql, named_arguments: namedArguments(params) } };
    for await (const _ of this.execute({ command: { sql_command: { input } } })) {
      // Drained: the statement has finished once the stream ends.
    }
  }

  /** Registers a session temporary view over a relation given as a protocol message. */
  async createTempView(name: string, relation: object): Promise<void> {
    const command = { create_dataframe_view: { input: relation, name, is_global: false, replace: true } };
    for await (const _ of this.execute({ command })) {
      // Drained as in run().
    }
  }

  private async *execute(plan: object) {
    const def = method('ExecutePlan');
    const request = {
      session_id: this.sessionId,
      user_context: { user_id: this.remote.userId },
      client_type: CLIENT_TYPE,
      plan,
    };
    const stream = this.client.makeServerStreamRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      request,
      this.metadata,
    );
    try {
      for await (const message of stream) yield executePlanResponseSchema.parse(message);
    } catch (err) {
      throw this.translate(err);
    } finally {
      stream.cancel();
    }
  }

  /** Releases the session on the server and closes the channel. */
  async close(): Promise<void> {
    const def = method('ReleaseSession');
    const request = {
      session_id: this.sessionId,
      user_context: { user_id: this.remote.userId },
      client_type: CLIENT_TYPE,
    };
    try {
      await new Promise<void>((resolve, reject) => {
        this.client.makeUnaryRequest(
          def.path,
          def.requestSerialize,
          def.responseDeserialize,
          request,
          this.metadata,
          { deadline: Date.now() + 10_000 },
          (err) => (err ? reject(this.translate(err)) : resolve()),
        );
      });
    } finally {
      this.client.close();
    }
  }

  private translate(err: unknown): Error {
    if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err));
    const address = `sc://${this.remote.host}:${this.remote.port}`;
    if (err.code === grpc.status.UNAVAILABLE) {
      return new UserError(`cannot reach the Spark Connect server at ${address}: ${err.details}`, {
        code: 'spark_unavailable',
        cause: err,
      });
    }
    const sqlState = /SQLSTATE: ([0-9A-Z]{5})/.exec(err.details)?.[1];
    return new SparkQueryError(
      `Spark (${address}): ${err.details.trim().split('\n')[0]}`,
      sqlState,
      err.code,
      err,
    );
  }
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && 'code' in err && typeof err.code === 'number' && 'details' in err;
}
