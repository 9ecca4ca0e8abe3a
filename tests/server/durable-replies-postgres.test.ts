import { describe } from 'vitest';
import { databaseKinds } from '../support/test-databases';
import { describeDurableReplies } from './durable-replies.suite';

// The durable-reply suite on the local PostgreSQL server, when TEST_DATABASE_URL names one.
describe.runIf(databaseKinds().includes('postgres'))('on the local PostgreSQL server', () => describeDurableReplies('postgres'));
