// The demo defaults on the live test bed: two environments in one account, no domain.
import { liveSuite } from './live-suite.ts';

liveSuite({
  name: 'demo defaults',
  newArgs: ['--defaults'],
  addedService: { name: 'orders', port: '8081' },
  // Adding a domain gives every service an Ingress (an ALB, stood in for by the bed).
  upgradeArgs: ['--domain', 'demo.example.com'],
  zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
});
