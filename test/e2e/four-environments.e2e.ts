// Four environments, an account each, and a domain, on the live test bed.
import { fixture } from '../support/workspace.ts';
import { liveSuite } from './live-suite.ts';

liveSuite({
  name: 'four environments',
  newArgs: ['--answers', fixture('answers-four-envs.yaml')],
  addedService: { name: 'reports', port: '9000' },
  upgradeArgs: ['--domain', 'platform.initech.example.com'],
  zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
});
