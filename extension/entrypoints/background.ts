import '../lib/noEval';
import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from '../lib/background/startBackground';

export default defineBackground({
  type: 'module',
  main() {
    startBackground();
  },
});
