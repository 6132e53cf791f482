// Module state that n8n keeps for the whole process (rate limiters, Kommo field definitions) is
// shared by every test of a file: each test starts from a clean process, as after an n8n restart.
import { resetFieldDefinitions } from '../../nodes/Kommo/custom-fields';
import { resetEndpointSecrets } from '../../nodes/PaddleBilling/trigger/endpoint-secret';

beforeEach(() => {
	resetFieldDefinitions();
	resetEndpointSecrets();
});
