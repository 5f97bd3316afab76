using '../main.bicep'

param environmentName = 'dev'
param authAudience = '00000000-0000-0000-0000-000000000000' // the API app registration's client id
param paypalEnvironment = 'sandbox'
param paypalClientId = '<sandbox client id>'
param paypalWebhookId = '<sandbox webhook id>'
param carrierAccountNumber = '<DHL test account>'
param carrierApiKey = '<MyDHL API key>'
param carrierApiBaseUrl = 'https://express.api.dhl.com/mydhlapi/test'
param maximumInstanceCount = 10
