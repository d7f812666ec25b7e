// The local Athena's supervisor process (see service.ts): runs daemon.ts through tsx, as the CLI does.
import { register } from 'tsx/esm/api';

register();
const { runDaemon } = await import('./daemon.ts');
await runDaemon(process.argv.slice(2));
