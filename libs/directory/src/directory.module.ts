import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DirectoryService } from './directory.service';

@Global()
@Module({
  providers: [{ provide: DirectoryService, inject: [DataSource], useFactory: (ds: DataSource) => new DirectoryService(ds) }],
  exports: [DirectoryService],
})
export class DirectoryModule {}
