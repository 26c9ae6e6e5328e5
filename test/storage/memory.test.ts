import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import { repositoryContract } from './contract.js';

repositoryContract('memory', async () => {
  const repo = createMemoryRepository();
  return { repo, readResult: async (id) => repo.trackResults(id), close: () => repo.close() };
});
