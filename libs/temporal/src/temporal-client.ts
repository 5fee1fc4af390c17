import { Client, Connection } from '@temporalio/client';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
}

/** A lazily connecting client: the API boots even while Temporal is still starting; /health tells. */
export function createTemporalClient({ address, namespace }: TemporalClientOptions): { connection: Connection; client: Client } {
  const connection = Connection.lazy({ address });
  return { connection, client: new Client({ connection, namespace }) };
}
