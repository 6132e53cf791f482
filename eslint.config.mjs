// The official n8n community-node rules (the same config `n8n-node lint` uses).
import { config } from '@n8n/node-cli/eslint';

export default config;
