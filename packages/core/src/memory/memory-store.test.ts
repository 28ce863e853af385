import { describeStoreConformance } from '../testing/index'
import { createMemoryStore } from './memory-store'

describeStoreConformance({ name: 'memory', createStore: () => createMemoryStore() })
