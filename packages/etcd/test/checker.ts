// The chaos checker (@baton/test-utils' checkLeadership) over writes kept in etcd, in revision order.
import type { Etcd3 } from 'etcd3';
import { checkLeadership, type BeliefSpans } from '@baton/test-utils';

export async function check(client: Etcd3, name: string, spans: BeliefSpans): Promise<{ violations: string[]; writes: number; terms: number }> {
  const response = await client.getAll().prefix(`chaos/${name}/writes/`).sort('Mod', 'Ascend').exec();
  const writes = response.kvs.map((kv) => {
    const [token, id] = kv.value.toString('utf8').split(' ');
    return { token: Number(token), id: id! };
  });
  return { ...checkLeadership(writes, spans), writes: writes.length };
}
