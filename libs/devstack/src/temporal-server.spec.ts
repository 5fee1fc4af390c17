import { parse } from 'yaml';
import { TEMPORAL_SERVER_DYNAMIC_CONFIG, dynamicConfigYaml, serverConfigYaml, temporalServerCacheDir } from './temporal-server';

describe('the production Temporal server config', () => {
  const ports = {
    frontend: 40001,
    frontendHttp: 40002,
    frontendMembership: 20001,
    history: 40003,
    historyMembership: 20002,
    matching: 40004,
    matchingMembership: 20003,
    worker: 40005,
    workerMembership: 20004,
  };
  const config = parse(
    serverConfigYaml({ host: '127.0.0.1', port: 5432, user: 'postgres', password: 'p"w', ...ports, dynamicConfigFile: '/tmp/x/dynamic config.yaml', shards: 4 }),
  );

  it('keeps both stores on the given Postgres, in the temporal and temporal_visibility databases', () => {
    const { datastores } = config.persistence;
    expect(config.persistence).toMatchObject({ defaultStore: 'postgres-default', visibilityStore: 'postgres-visibility', numHistoryShards: 4 });
    expect(datastores['postgres-default'].sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal', connectAddr: '127.0.0.1:5432', user: 'postgres', password: 'p"w' });
    expect(datastores['postgres-visibility'].sql).toMatchObject({ pluginName: 'postgres12', databaseName: 'temporal_visibility', connectAddr: '127.0.0.1:5432' });
  });

  it('puts each service on its own ports, on loopback, and names the frontend as the cluster address', () => {
    expect(config.services.frontend.rpc).toEqual({ grpcPort: 40001, membershipPort: 20001, bindOnIP: '127.0.0.1', httpPort: 40002 });
    expect(config.services.history.rpc).toEqual({ grpcPort: 40003, membershipPort: 20002, bindOnIP: '127.0.0.1' });
    expect(config.services.matching.rpc).toEqual({ grpcPort: 40004, membershipPort: 20003, bindOnIP: '127.0.0.1' });
    expect(config.services.worker.rpc).toEqual({ grpcPort: 40005, membershipPort: 20004, bindOnIP: '127.0.0.1' });
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:40001');
    expect(config.dynamicConfigClient.filepath).toBe('/tmp/x/dynamic config.yaml');
  });

  it('writes the dynamic config as the server reads it: a list of values per key', () => {
    const dynamic = parse(dynamicConfigYaml(TEMPORAL_SERVER_DYNAMIC_CONFIG));
    expect(dynamic['frontend.enableUpdateWorkflowExecution']).toEqual([{ value: true, constraints: {} }]);
    expect(dynamic['system.namespaceCacheRefreshInterval']).toEqual([{ value: '1s', constraints: {} }]);
    expect(dynamic['frontend.namespaceRPS.visibility']).toEqual([{ value: 100, constraints: {} }]);
    expect(Object.keys(dynamic).sort()).toEqual(Object.keys(TEMPORAL_SERVER_DYNAMIC_CONFIG).sort());
  });

  it('keeps each version in a directory of its own in the cache', () => {
    expect(temporalServerCacheDir('1.30.4', '/cache')).toBe('/cache/temporal-server-v1.30.4');
  });
});
