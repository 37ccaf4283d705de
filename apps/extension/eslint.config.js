import base from '@baton/eslint-config';

export default [...base];
