// Rendered documents in Azure Blob Storage (Azurite locally): one container, the document
// number as the blob name. In Azure the app signs in with its managed identity.
import { BlobServiceClient } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { DocumentStore } from '../../application/ports';

export interface BlobSettings {
  /** Connection string (Azurite locally); otherwise `accountUrl` with managed identity. */
  connectionString?: string;
  accountUrl?: string;
  container: string;
}

export class BlobDocumentStore implements DocumentStore {
  private readonly container: ContainerClient;
  private created?: Promise<unknown>;

  constructor(s: BlobSettings) {
    const service = s.connectionString
      ? BlobServiceClient.fromConnectionString(s.connectionString)
      : new BlobServiceClient(s.accountUrl ?? '', new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }));
    this.container = service.getContainerClient(s.container);
  }

  async put(name: string, bytes: Uint8Array, contentType: string): Promise<void> {
    // Bicep creates the container in Azure; locally the first write does.
    this.created ??= this.container.createIfNotExists();
    await this.created;
    await this.container.getBlockBlobClient(name).uploadData(bytes, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      return await this.container.getBlockBlobClient(name).downloadToBuffer();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}
