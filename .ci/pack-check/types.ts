// Type-checked against the installed package under `nodenext` and `bundler` resolution.
import { MLManager, createSqliteRepository, type TrainAllResult, type ApplyResult } from 'laser-trim-ml';
import { writePlant, type SyntheticPlantOptions } from 'laser-trim-ml/synthetic';
import { designCusumH, type ArlOptions } from 'laser-trim-ml/stats';

export const arlOptions: ArlOptions = { shift: 1, method: 'markov' };
export const h: number = designCusumH(465.4, 0.5, arlOptions);
// @ts-expect-error: the stats subpath does not carry the manager.
import { MLManager as NotInStats } from 'laser-trim-ml/stats';

export async function run(file: string): Promise<[TrainAllResult, ApplyResult]> {
  const repo = await createSqliteRepository({ file }, { migrate: true });
  const options: SyntheticPlantOptions = { seed: 1, tracks: 1000, models: 10 };
  await writePlant(repo, options);
  const ml = new MLManager(repo);
  const trained: TrainAllResult = await ml.trainAllModels();
  const applied: ApplyResult = await ml.applyToDatabase();
  // @ts-expect-error: a wrong option type must not compile.
  await ml.trainAllModels({ onProgress: 3 });
  return [trained, applied];
}
