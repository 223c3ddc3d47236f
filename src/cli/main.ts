console.log('connection-secrets');
